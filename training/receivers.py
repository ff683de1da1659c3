"""Signal receivers: they only call services, which record what must happen."""

from training import services


def groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Someone joined a group (``user.groups.add`` or ``group.user_set.add``)."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(users): instance is the group
        services.group_members_joined(user_ids=pk_set, group_ids=[instance.pk])
    else:
        services.group_members_joined(user_ids=[instance.pk], group_ids=pk_set)


def version_published(sender, version, previous, **kwargs):
    services.obligations_on_publication(version=version, previous=previous)


def draft_started(sender, version, source, **kwargs):
    services.check_copy(source=source, target=version)


def standard_retired(sender, standard, at, **kwargs):
    services.obligations_withdraw_retired(standard_id=standard.pk, at=at)


def standard_reinstated(sender, standard, **kwargs):
    services.obligations_on_reinstatement(standard_id=standard.pk)
