from mutualaid.tenancy.models import Organisation, Staff


def test_actor_reaches_own_subtree_only(world):
    actor = world.actor(world.county_cadre)
    names = set(Organisation.objects.for_actor(actor).values_list("name", flat=True))
    assert names == {"甲县总工会", "甲县医院工会", "甲县中学工会"}


def test_agent_sees_only_own_unit_staff(world):
    actor = world.actor(world.agent)
    assert list(Staff.objects.for_actor(actor).values_list("user__username", flat=True)) == [
        "agent"
    ]


def test_other_tenant_sees_nothing_of_tenant_a(world):
    actor = world.actor(world.other_tenant_admin)
    assert not Organisation.objects.for_actor(actor).filter(tenant=world.tenant).exists()
    assert Organisation.objects.for_actor(actor).count() == 3
