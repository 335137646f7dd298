"""How people write the same name (issue 16 item 6): the variants the name tests of every
look-up use (tests/registry/intake/test_names.py, the certificate and training look-ups)."""

UYGHUR = "阿卜杜拉·买买提"
# Every way people (and their input methods) write the dot between the parts of a name.
DOT_VARIANTS = [
    "阿卜杜拉·买买提",  # U+00B7 middle dot, the standard form (GB/T 28039)
    "阿卜杜拉•买买提",  # U+2022 bullet
    "阿卜杜拉・买买提",  # U+30FB katakana middle dot (Japanese input methods)
    "阿卜杜拉‧买买提",  # U+2027 hyphenation point (Big5 input)
    "阿卜杜拉･买买提",  # U+FF65 half-width katakana middle dot
    "阿卜杜拉.买买提",  # full stop
    "阿卜杜拉．买买提",  # U+FF0E full-width full stop
    "阿卜杜拉∙买买提",  # U+2219 bullet operator
    "阿卜杜拉⋅买买提",  # U+22C5 dot operator
    "阿卜杜拉ꞏ买买提",  # U+A78F Latin letter sinological dot
    "阿卜杜拉·买买提",  # U+0387 Greek ano teleia (NFKC makes it U+00B7)
    "阿卜杜拉 · 买买提",  # spaced
    " 阿卜杜拉　·　买买提 ",  # ideographic spaces around it
]
LATIN_VARIANTS = [
    "John Smith",
    "JOHN  SMITH",
    "john smith",
    " John\tSmith ",
    "John\u3000Smith",
    "Ｊｏｈｎ Ｓｍｉｔｈ",  # full-width letters
    "JohnSmith",
]
