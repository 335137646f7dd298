"""The reference catalogue: fields, occupations, directions, levels, national standards, provinces."""
