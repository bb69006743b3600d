"""Image uploads judged before they are decoded, and refused with a form error, never
a 500.

Wagtail reads an upload's size from its header (``WagtailImageField``) and refuses one of
more pixels than ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` or more bytes than
``WAGTAILIMAGES_MAX_UPLOAD_SIZE`` before any pixel is decoded; Signpost's caps are set
so that a picture for the web passes and a decompression bomb (a few kilobytes that
decode to gigabytes, such as an 11,000 × 11,000 PNG) does not. Then, within those caps,
the image is decoded once, so that a file that only starts like an image (a GIF header
in front of a script, a truncated PNG) is refused here rather than failing later in the
listing, the editor or a rendition.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class ImageUploadField(WagtailImageField):
    def check_image_pixel_size(self, f):
        try:
            super().check_image_pixel_size(f)
        except ValidationError:
            raise
        except Exception as error:  # the header could not be read: not an image
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error

    def to_python(self, data):
        # Declared once with the form class: the caps are read when each upload is.
        self.max_upload_size = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
        self.max_image_pixels = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
        f = super().to_python(data)
        if f is None:
            return None
        source = data if hasattr(data, "temporary_file_path") else f
        try:
            source.seek(0)
            with PILImage.open(source) as image:
                image.load()  # within the pixel cap: the whole file decodes, or it is refused
        except Exception as error:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error
        finally:
            source.seek(0)
        return f


class ImageForm(BaseImageForm):
    """Wagtail's image form (``WAGTAILIMAGES_IMAGE_FORM_BASE``) with the upload field
    above, for every door: add, add several, the chooser's upload, replacing a file."""

    file = ImageUploadField(label="File")
