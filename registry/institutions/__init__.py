"""The training and evaluation institution directories (notice, section 四)."""
