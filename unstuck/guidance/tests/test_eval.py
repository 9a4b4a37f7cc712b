"""The ranking keeps MRR@5 above 0.8 on the stuck situations over the demo content."""

from __future__ import annotations

import pytest

from unstuck.guidance.eval.mrr import evaluate, load_situations


def test_there_are_at_least_60_situations_each_with_an_expected_unit():
    situations = load_situations()
    assert len(situations) >= 60
    assert all(s["expected"] and s["request"] for s in situations)


@pytest.mark.slow
def test_ranking_keeps_mrr_at_5_above_0_8_on_the_demo_content(db):
    from unstuck.content.models import Unit
    from unstuck.demo.services import load_demo_workspace

    workspace = load_demo_workspace()
    slugs = set(Unit.objects.for_workspace(workspace).published().values_list("slug", flat=True))
    missing = {e for s in load_situations() for e in s["expected"]} - slugs
    assert not missing, f"situations name units the demo does not have: {missing}"
    result = evaluate(workspace)
    misses = [(r["id"], r["ranked"][:2]) for r in result["rows"] if r["rr"] == 0]
    assert result["mrr"] > 0.8, (result["mrr"], misses)
