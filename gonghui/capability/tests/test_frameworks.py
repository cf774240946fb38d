"""Framework versions: the seed is complete, weights must add up to 100, published versions are immutable."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.capability.choices import FrameworkStatus
from gonghui.capability.models import Framework, IndicatorMapping, LevelDescriptor
from gonghui.capability.selectors.frameworks import framework_in_force
from gonghui.capability.services.frameworks import (
    capability_update,
    framework_copy,
    framework_publish,
    framework_update,
    mapping_set,
)
from gonghui.capability.testing import default_framework
from gonghui.core.choices import LineOfWork
from gonghui.core.indicators import discover


def test_the_seed_framework_has_five_capabilities_with_five_levels_each(db):
    framework = default_framework()
    assert framework.status == FrameworkStatus.PUBLISHED and framework.owner is None
    capabilities = list(framework.capabilities.order_by("order"))
    assert [c.code for c in capabilities] == list(LineOfWork.values)
    assert capabilities[1].name == "团结凝聚组织职工的本领"
    for capability in capabilities:
        levels = list(capability.levels.order_by("level"))
        assert [d.level for d in levels] == [1, 2, 3, 4, 5]
        assert all(d.title and len(d.descriptor) > 20 for d in levels)


@pytest.mark.parametrize("line", ["organize", "protect"])
def test_the_seed_maps_every_indicator_of_the_lines_that_have_them_with_weights_of_100(db, line):
    capability = default_framework().capabilities.get(code=line)
    codes = {m.indicator for m in capability.mappings.all()}
    assert codes == {c for c, i in discover().items() if i.capability == line}
    assert sum(m.weight for m in capability.mappings.all()) == 100


def test_lines_without_indicators_have_no_mappings_in_the_seed(db):
    assert (
        not default_framework()
        .capabilities.filter(code__in=["develop", "coordinate", "innovate"], mappings__isnull=False)
        .exists()
    )


@pytest.fixture
def draft(people, tree):
    return framework_copy(actor=people.federation_admin, source=default_framework(), owner=tree.city)


def rows(*weights):
    codes = ["organize.members_recruited", "organize.applications_handled", "organize.unit_members_change"]
    return [
        {"indicator": code, "weight": weight, "normalisation": "percentile", "target": None}
        for code, weight in zip(codes, weights, strict=False)
    ]


def test_a_copy_is_a_draft_of_the_next_version_with_the_same_contents(draft, tree):
    assert (draft.owner, draft.version, draft.status) == (tree.city, 1, FrameworkStatus.DRAFT)
    assert LevelDescriptor.objects.filter(capability__framework=draft).count() == 25
    assert IndicatorMapping.objects.filter(capability__framework=draft).count() == 16


def test_it_refuses_weights_that_do_not_add_up_to_100_and_changes_nothing(draft, people):
    organize = draft.capabilities.get(code="organize")
    before = list(organize.mappings.values_list("indicator", "weight"))
    with pytest.raises(ValidationError) as refused:
        mapping_set(actor=people.federation_admin, capability=organize, rows=rows(50, 30, 10))
    assert "90" in " ".join(refused.value.messages)
    assert list(organize.mappings.values_list("indicator", "weight")) == before


def test_it_sets_weights_that_add_up_to_100(draft, people):
    organize = draft.capabilities.get(code="organize")
    mapping_set(actor=people.federation_admin, capability=organize, rows=rows(50, 30, 20))
    assert sorted(organize.mappings.values_list("weight", flat=True)) == [20, 30, 50]


def test_it_refuses_a_target_normalisation_without_a_target(draft, people):
    organize = draft.capabilities.get(code="organize")
    bad = [{"indicator": "organize.members_recruited", "weight": 100, "normalisation": "target", "target": None}]
    with pytest.raises(ValidationError):
        mapping_set(actor=people.federation_admin, capability=organize, rows=bad)


def test_it_refuses_an_indicator_of_another_line(draft, people):
    develop = draft.capabilities.get(code="develop")
    with pytest.raises(ValidationError):
        mapping_set(actor=people.federation_admin, capability=develop, rows=rows(100))
    assert not develop.mappings.exists()


def test_it_refuses_to_change_a_published_version(draft, people):
    framework_publish(actor=people.federation_admin, framework=draft)
    organize = draft.capabilities.get(code="organize")
    with pytest.raises(ValidationError) as refused:
        mapping_set(actor=people.federation_admin, capability=organize, rows=rows(50, 30, 20))
    assert "新版本" in " ".join(refused.value.messages)  # says to make a new version
    with pytest.raises(ValidationError):
        framework_update(actor=people.federation_admin, framework=draft, name="改名")
    assert organize.mappings.count() == 9
    assert Framework.objects.get(pk=draft.pk).name == draft.name


def test_it_refuses_to_change_a_frozen_version(draft, people):
    Framework.objects.filter(pk=draft.pk).update(status=FrameworkStatus.FROZEN)
    develop = draft.capabilities.get(code="develop")
    levels = {n: ("标题", "描述") for n in range(1, 6)}
    with pytest.raises(ValidationError):
        capability_update(
            actor=people.federation_admin,
            capability=develop,
            name="新名称",
            description="…",
            target_level=4,
            levels=levels,
        )
    assert draft.capabilities.get(code="develop").name == "服务大局、推动发展的本领"


def test_a_published_version_applies_below_its_owner_only(draft, people, tree):
    framework_publish(actor=people.federation_admin, framework=draft)
    assert framework_in_force(tree.west_a) == draft
    assert framework_in_force(tree.other) == default_framework()


def test_it_refuses_a_capability_edit_missing_a_level_and_changes_nothing(draft, people):
    develop = draft.capabilities.get(code="develop")
    levels = {n: ("标题", "描述") for n in range(1, 5)}
    with pytest.raises(ValidationError):
        capability_update(
            actor=people.federation_admin,
            capability=develop,
            name="新名称",
            description="…",
            target_level=4,
            levels=levels,
        )
    assert draft.capabilities.get(code="develop").name == "服务大局、推动发展的本领"


def test_only_administrators_of_a_federation_keep_its_framework(people, tree):
    with pytest.raises(PermissionDenied):
        framework_copy(actor=people.cadre, source=default_framework(), owner=tree.west_a)
    with pytest.raises(PermissionDenied):
        framework_copy(actor=people.district_admin, source=default_framework(), owner=tree.city)
    assert framework_copy(actor=people.district_admin, source=default_framework(), owner=tree.west).owner == tree.west


def test_it_refuses_a_second_draft(draft, people, tree):
    with pytest.raises(ValidationError):
        framework_copy(actor=people.federation_admin, source=default_framework(), owner=tree.city)
