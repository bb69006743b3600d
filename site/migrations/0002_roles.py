from django.db import migrations

from signpost.roles import sync_roles_migration


class Migration(migrations.Migration):
    """Create the initiative's roles as Wagtail groups (see signpost/roles.py)."""

    dependencies = [
        ("signpost", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("engagement", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles_migration, migrations.RunPython.noop)]
