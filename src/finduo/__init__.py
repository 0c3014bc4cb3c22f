"""finduo: credit decisions where the machine and the credit expert work as a duo."""

__version__ = "0.1.0"

__all__ = ["__version__"]
