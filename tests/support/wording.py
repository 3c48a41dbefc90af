"""What patient-facing text must never say (spec §1, §5): a diagnosis, or false reassurance."""

from __future__ import annotations

import re

CONDITIONS = r"(?:fracture|cancer|tumou?r|metasta\w*|infection|osteoporosis|cauda equina|compression|broken)"
#: Reported speech restates what someone said ("You told us you have …", "told you that you have …").
REPORTED = r"(?<!told us )(?<!told you that )(?<!told you )"
#: Diagnostic claims and false reassurance the tool must never make, by name.
FORBIDDEN = {
    "you have a condition": rf"{REPORTED}\byou have (?:an? )?{CONDITIONS}",
    "you do not have": rf"{REPORTED}\byou (?:do not|don['’]t) have\b",
    "diagnosis": r"diagnos\w*",
    "it is not serious": r"\b(?:it|this) is not serious",
    "nothing to worry": r"\bnothing to worry",
    "no need to worry": r"\bno need to worry",
    "you are fine": r"\byou are fine\b",
    "is caused by": r"\bis caused by",
    # The same in Greek; reported speech ("ότι έχετε …") restates what the person said.
    "έχετε πάθηση": r"(?<!ότι )\bέχετε (?:ένα )?"
    r"(?:κάταγμα|καρκίνο|όγκο|μετάσταση|μεταστάσεις|λοίμωξη|οστεοπόρωση)",
    "δεν έχετε": r"(?<!ότι )\bδεν έχετε (?:κάταγμα|καρκίνο|όγκο|τίποτα)",
    "διάγνωση": r"διά?γνω[σζ]\w*",
    "δεν είναι σοβαρό": r"\bδεν είναι (?:κάτι )?σοβαρ\w*",
    "μην ανησυχείτε": r"\bμην ανησυχείτε|\bτίποτα (?:το )?ανησυχητικό|\bείστε καλά\b",
    "οφείλεται σε": r"(?<!να )\bοφείλεται σε",
}
#: Phrases that are allowed although a forbidden pattern matches inside them.
ALLOWED = (
    r"\bnot (?:give )?a diagnosis\b",  # the not-a-diagnosis statement's own negation
    r"\bδεν (?:είναι|δίνει) διάγνωση\b",
    r"\bόχι διάγνωση\b",
)


def diagnostic_claims(text: str) -> list[str]:
    """The names of the forbidden patterns a text contains."""
    for allowed in ALLOWED:
        text = re.sub(allowed, " ", text, flags=re.IGNORECASE)
    return [name for name, pattern in FORBIDDEN.items() if re.search(pattern, text, re.IGNORECASE)]
