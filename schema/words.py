"""Descriptions that many fields share, written once (the same words wherever the field appears)."""

HOLDER_NAME = "The holder's name as on the certificate."
OCCUPATION_CODE = "The occupation's primary code (职业编码): the 2015 edition's, as printed on the 2021 standards, where known."
FIELD_CODE = "The field's two-digit code (one of the programme's ten digital technology fields, 数字技术领域)."
DIRECTION = "The direction (方向) of the occupation's standard, where it has directions."
LEVEL = "The level: JUNIOR 初级, INTERMEDIATE 中级 or SENIOR 高级."
