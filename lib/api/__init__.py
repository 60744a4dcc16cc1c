"""What every endpoint of the REST API shares (../shared/API.md, "Errors"): strict paging
(``pagination``), a schema that declares every error an endpoint can answer and that an empty
query value means "not given" (``schema``), and a JSON 404 for any other address under /api/
(``views``)."""

# A patient's user id in a query string (?patient=), as the schema declares it.
PATIENT_ID = {"type": "integer", "minimum": 1}
