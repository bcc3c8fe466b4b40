"""The operations of xieshang: validation, workflow, permissions and the unit of work every
change goes through. Nothing here knows about GraphQL or HTTP."""
