"""bench.remote's per-deployment options, and its update scenarios against a live server."""

from __future__ import annotations

import argparse
import re

import pytest

from bench.remote_deployments import deployments, per_deployment

from .test_bench_smoke import _ratios, run_bench

LABELS = ["ours", "upstream"]


def test_one_value_is_for_every_deployment():
    assert per_deployment(["admin"], LABELS, "--user") == ["admin", "admin"]


def test_values_in_base_url_order():
    assert per_deployment(["a", "b"], LABELS, "--user") == ["a", "b"]


def test_named_value_is_for_that_deployment_only():
    assert per_deployment(["upstream=KEY"], LABELS, "--api-key") == [None, "KEY"]


def test_unnamed_value_fills_the_deployments_not_named():
    assert per_deployment(["ours=7", "9"], LABELS, "--individual-id") == ["7", "9"]


def test_text_before_equals_that_names_no_deployment_is_part_of_the_value():
    assert per_deployment(["pass=word"], LABELS, "--password") == ["pass=word", "pass=word"]


@pytest.mark.parametrize("values", [["ours=a", "ours=b"], ["a", "b", "c"], ["ours=a", "b", "c"]])
def test_ambiguous_values_are_refused(values):
    with pytest.raises(SystemExit):
        per_deployment(values, LABELS, "--user")


def _namespace(**given) -> argparse.Namespace:
    options = ("user", "password", "api_key", "individual_id", "id_type", "update_id")
    return argparse.Namespace(**{option: given.get(option) for option in options}, base_url=given["base_url"])


def test_deployments_from_the_command_line():
    found = deployments(
        _namespace(
            base_url=["ours=http://a/api/", "upstream=http://b/api"],
            user=["admin"],
            password=["ours=x", "upstream=y"],
            api_key=["ours=KEY"],
            individual_id=["upstream=7"],
            update_id=["upstream=U-0,U-1,U-5,U-20", "ours=U"],
        )
    )
    assert [(d.label, d.api_url, d.password, d.api_key, d.individual_id) for d in found] == [
        ("ours", "http://a/api", "x", "KEY", None),
        ("upstream", "http://b/api", "y", None, 7),
    ]
    assert found[0].update_ids == ("U", "U", "U", "U")
    assert found[1].update_ids == ("U-0", "U-1", "U-5", "U-20")
    assert found[0].id_type == "National ID"


@pytest.mark.parametrize("given", [{"update_id": ["a,b"]}, {"individual_id": ["seven"]}, {"user": None}])
def test_bad_deployment_options_are_refused(given):
    options = {"base_url": ["http://a/api"], "user": ["admin"], "password": ["pw"], **given}
    with pytest.raises(SystemExit):
        deployments(_namespace(**options))


def test_update_scenarios_and_a_key_for_one_deployment(deployment):
    server, credentials = deployment
    output = run_bench(
        "remote",
        *("--base-url", f"first={server.api_url}", "--base-url", f"second={server.api_url}"),
        # `--option=value`: a generated password may begin with "-", which argparse takes for an option.
        *(f"--user={credentials.user}", f"--password={credentials.password}"),
        *("--api-key", f"second={credentials.api_key}"),
    )
    assert {"PUT update, 0 accounts", "PUT update, 20 accounts", "GET, API key"} <= set(_ratios(output))
    assert re.search(r"^  PUT update, 5 accounts\s+second \d+\.\d\d$", output, flags=re.MULTILINE), output
    first_table = output.split("second = ")[0]
    assert "GET, API key" not in first_table
    assert "not measured" not in output


def test_individuals_that_cannot_be_created_leave_out_the_updates_and_say_why(deployment):
    server, credentials = deployment
    output = run_bench(
        "remote",
        *("--base-url", f"only={server.api_url}", "--id-type", "No Such ID Type"),
        # `--option=value`: a generated password may begin with "-", which argparse takes for an option.
        *(f"--user={credentials.user}", f"--password={credentials.password}"),
    )
    assert "PUT update" not in "".join(_ratios(output))
    assert re.search(
        r"^  only: no update scenarios: creating an individual to update: POST /individual answered 4\d\d ",
        output,
        flags=re.MULTILINE,
    ), output
