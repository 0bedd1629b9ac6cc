"""A FHIR client no one here wrote (fhirpy) against the running server: find the patient by
NHS number, search their DocumentReferences two to a page following the server's `next`
links, and read every Binary the answers point to. Prints one JSON object for the Rust test.

usage: fhirpy_session.py BASE_URL NHS_NUMBER   (the access token on stdin)
"""

import hashlib
import json
import sys

import requests
from fhirpy import SyncFHIRClient

NHS = "https://fhir.nhs.uk/Id/nhs-number"
SHA256 = "https://chartdesk.nhs.uk/fhir/StructureDefinition/attachment-sha256"

base, nhs = sys.argv[1], sys.argv[2]
token = sys.stdin.read().strip()
client = SyncFHIRClient(base, authorization=f"Bearer {token}")

# Count the bundles fhirpy fetches, so the test knows it followed the links.
pages = 0
fetch = client._fetch_resource


def counted(*args, **kwargs):
    global pages
    pages += 1
    return fetch(*args, **kwargs)


client._fetch_resource = counted

patients = client.resources("Patient").search(identifier=f"{NHS}|{nhs}").fetch()
assert len(patients) == 1, patients
patient = patients[0]

search = client.resources("DocumentReference").search(
    **{"patient.identifier": f"{NHS}|{nhs}"}
).limit(2)
pages = 0
total = search.fetch_raw()["total"]
pages = 0
documents = search.fetch_all()

binaries = []
for document in documents:
    attachment = document["content"][0]["attachment"]
    if not attachment.get("url"):
        continue
    # The Binary answers with a redirect to a short-lived URL; requests drops the bearer
    # token when it follows it to another origin, as it should.
    answer = requests.get(
        f"{base}/{attachment['url']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    recorded = next(e["valueString"] for e in attachment["extension"] if e["url"] == SHA256)
    binaries.append(
        {
            "id": document["id"],
            "recorded": recorded,
            "read": hashlib.sha256(answer.content).hexdigest(),
            "redirected": bool(answer.history) and answer.history[0].status_code in (302, 303),
        }
    )

print(
    json.dumps(
        {
            "patient": patient["id"],
            "total": total,
            "pages": pages,
            "ids": [d["id"] for d in documents],
            "binaries": binaries,
        }
    )
)
