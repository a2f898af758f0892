"""The operating rules of tests/deploy/policy.py hold for the overlays they are meant for, and
each fails, alone, on its planted broken overlay (tests/deploy/broken/policy/<rule>/: the prod
overlay with one kustomize patch, its header naming the rule and a piece of the message)."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
from tests.deploy import policy
from tests.deploy.deploy_checks import OVERLAYS, REPO

PLANTED = Path(__file__).resolve().parent / "broken" / "policy"
DOC = REPO / "docs" / "kubernetes.md"


def header(path: Path, key: str) -> str:
    m = re.search(rf"^# {key}: (.+)$", path.read_text(), re.M)
    assert m, f"{path}: no `# {key}:` line"
    return m.group(1).strip()


@pytest.fixture(scope="module")
def planted() -> dict[str, str]:
    """rule -> its planted overlay rendered (kubectl kustomize: most of this file's time; in parallel)."""
    rules = sorted(p.name for p in PLANTED.iterdir() if p.is_dir())
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(rules, pool.map(lambda rule: dc.render_text(PLANTED / rule), rules)))


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("rule", sorted(policy.RULES))
def test_the_overlay_keeps_the_rule(rule, overlay, rendered):
    check, overlays = policy.RULES[rule]
    if overlay not in overlays:
        pytest.skip(f"{rule} is a rule of {', '.join(overlays)} only (tests/deploy/policy.py RULES)")
    assert check(rendered[overlay]) == []


def test_every_rule_has_its_planted_overlay():
    planted = {p.name for p in PLANTED.iterdir() if p.is_dir()}
    assert planted == set(policy.RULES), (sorted(set(policy.RULES) - planted), sorted(planted - set(policy.RULES)))


@pytest.mark.parametrize("rule", sorted(policy.RULES))
def test_the_planted_overlay_fails_its_rule_and_no_other(rule, planted):
    kustomization = PLANTED / rule / "kustomization.yaml"
    assert header(kustomization, "rule") == rule
    objs = dc.load_all(planted[rule])
    results = {name: check(objs) for name, (check, _) in policy.RULES.items()}
    failed = {name: found for name, found in results.items() if found}
    assert set(failed) == {rule}, failed
    expected = header(kustomization, "error")
    assert any(expected in message for message in failed[rule]), (expected, failed[rule])


def test_the_placeholder_digests_are_said_to_be_placeholders():
    """The prod overlay's digests may be the documented placeholder (all zeros); the docs say how
    to fill each one in."""
    objs = dc.render("prod")
    text = DOC.read_text()
    for where, image in policy.images(objs):
        name = image.split("@")[0].rsplit(":", 1)[0]
        assert f"`{name}`" in text, f"docs/kubernetes.md does not say how to pin {name} ({where})"
    assert "sha256:" + "0" * 64 in text and "crane digest" in text


def test_the_in_tree_barman_object_store_is_refused(rendered):
    """The deprecated in-tree WAL archive (CloudNativePG's `standard` images have no barman-cloud)."""
    objs = [dict(o) for o in dc.render("prod")]
    cluster = next(o for o in objs if o["kind"] == "Cluster")
    cluster["spec"]["backup"] = {"barmanObjectStore": {"destinationPath": "s3://flinkfast-pg-backup/"}}
    assert any("in-tree backup.barmanObjectStore" in m for m in policy.backups(objs))
