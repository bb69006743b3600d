"""Print runs in a language (English, Welsh, Urdu, or Welsh and English), and print
templates translatable: existing templates become the default language's, each with its
own translation key (wagtail's BootstrapTranslatableModel), before the key is required."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [
        ("printing", "0006_print_run_output"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="printrun",
            name="language",
            field=models.CharField(
                choices=[
                    ("en-gb", "English"),
                    ("cy", "Welsh (Cymraeg)"),
                    ("ur", "Urdu (اردو)"),
                    ("cy+en-gb", "Welsh and English, bilingual (Cymraeg a Saesneg)"),
                ],
                default="en-gb",
                help_text="The words and the page the QR code opens are in this language.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="printtemplate",
            name="locale",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
            ),
        ),
        migrations.AddField(
            model_name="printtemplate",
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        BootstrapTranslatableModel("printing.PrintTemplate"),
        migrations.AlterField(
            model_name="printtemplate",
            name="locale",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="wagtailcore.locale",
                verbose_name="locale",
            ),
        ),
        migrations.AlterField(
            model_name="printtemplate",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(
            model_name="printtemplate",
            name="name",
            field=models.CharField(max_length=120),
        ),
        migrations.AlterUniqueTogether(
            name="printtemplate",
            unique_together={("translation_key", "locale")},
        ),
        migrations.AddConstraint(
            model_name="printtemplate",
            constraint=models.UniqueConstraint(
                fields=("name", "locale"), name="print_template_name_locale"
            ),
        ),
    ]
