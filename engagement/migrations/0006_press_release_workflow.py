"""The press release sign-off workflow: review by the co-ordinator, then approval by
the spokesperson, each a step for the Approver role in which nobody passes their own
release. Assigned to any newsroom that exists; new newsrooms pick it up on save."""

from django.db import migrations

WORKFLOW_NAME = "Press release sign-off"
STEPS = ["Co-ordinator review", "Spokesperson approval"]
APPROVER = "Approver"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("engagement", "PressReleaseApprovalTask")
    NewsroomPage = apps.get_model("engagement", "NewsroomPage")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="engagement", model="pressreleaseapprovaltask"
    )
    approvers, _ = Group.objects.get_or_create(name=APPROVER)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    for order, name in enumerate(STEPS):
        task = Task.objects.filter(name=name).first()
        if task is None:
            task = Task.objects.create(name=name, content_type=task_type, active=True)
        task.groups.set([approvers])
        WorkflowTask.objects.get_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    for newsroom in NewsroomPage.objects.all():
        if not WorkflowPage.objects.filter(page_id=newsroom.pk).exists():
            WorkflowPage.objects.create(page_id=newsroom.pk, workflow=workflow)


def remove_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("engagement", "PressReleaseApprovalTask")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()
    Task.objects.filter(name__in=STEPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0005_plan_press_releases_media_enquiries"),
        ("signpost", "0002_roles"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
