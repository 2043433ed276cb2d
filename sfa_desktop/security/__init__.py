"""Local data protection: the key of the encrypted store (Qt-free)."""
