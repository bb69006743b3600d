from django.apps import AppConfig


class PlainFormConfig(AppConfig):
    name = "bench.plainform"
    label = "plainform"
