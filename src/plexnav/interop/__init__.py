"""Standard exports: a FHIR R4B document of a case and its assessment, and a CDS Hooks service.

Dependencies point one way: interop reads the case models, the engine and the knowledge
base; nothing in the engine imports interop.
"""
