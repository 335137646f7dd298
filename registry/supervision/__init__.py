"""Supervision by 双随机、一公开 (notice 六(二)): inspection campaigns with a published seed and rules,
a reproducible draw of institutions and inspectors, recorded findings and public results; a
violation of 六(三) leads to suspension or removal through the directory's own transitions."""
