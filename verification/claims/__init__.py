"""Claim modules of the verification suite (listed in ``verification.CLAIM_MODULES``)."""
