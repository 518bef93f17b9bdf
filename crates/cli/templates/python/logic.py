"""What {name} does, as plain Python with no WebAssembly in sight."""


def echo(input: str) -> str:
    """Return `input` unchanged."""
    return input
