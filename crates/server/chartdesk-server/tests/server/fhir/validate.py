"""Validates FHIR resources (a JSON array on stdin) with fhir.resources' R4B models.

Exits 1, naming each failure, if any resource does not validate. Bundles are validated with
their entries; each entry's resource is also validated on its own model.
"""
import json
import sys

from fhir.resources.R4B import get_fhir_model_class


def check(resource, where, failures):
    try:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except Exception as e:  # the model's own error says what is wrong
        failures.append(f"{where}: {e}")
    for i, entry in enumerate(resource.get("entry", [])):
        check(entry["resource"], f"{where}.entry[{i}]", failures)


def main():
    failures = []
    resources = json.load(sys.stdin)
    for i, resource in enumerate(resources):
        check(resource, f"[{i}] {resource.get('resourceType')}", failures)
    for failure in failures:
        print(failure)
    print(f"checked {len(resources)} resources, {len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
