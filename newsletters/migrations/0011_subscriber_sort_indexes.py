"""The subscriber register: indexes for each column it sorts by, at a million rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('engagement', '0010_scale_indexes'),
        ('newsletters', '0010_area_subscriber_counts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='subscriber',
            index=models.Index(fields=['name', '-id'], name='subscriber_name_order'),
        ),
        migrations.AddIndex(
            model_name='subscriber',
            index=models.Index(fields=['language', '-id'], name='subscriber_language_order'),
        ),
    ]
