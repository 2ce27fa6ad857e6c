"""The use cases the API and the pages both call: what waits for the caller, the appraisals
they may read, a ranking, an archive, the organisation's and the users' administration.

They take the runtime (or its workflows) and the signed-in actor, and answer plain data or
raise domain errors; routes and pages turn that into JSON or HTML. Neither imports the other.
"""
