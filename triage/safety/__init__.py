"""The clinical safety case: the hazard log tied to rules, invariants and tests; the safety report;
rule change control (`rules diff`).

Nothing here is on the assessment path: the engine never imports it, and the files it reads
(rules/hazards.yaml, rules/safety_case.yaml) are left out of the rule set and its content hash.
"""
