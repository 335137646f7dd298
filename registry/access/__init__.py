"""Who is calling and what they may do: principals and roles, bearer tokens, personal data at rest, the shape of every access decision."""
