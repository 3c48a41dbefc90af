"""The offline rule verifier: invariants, shown-text proofs, sampling and tables for the rules' reviewers.
Used by the command line and the safety case, never at request time."""
