"""Bulk writes of members and enterprises for imports and `gonghui synth` (owned by the import work).

Interface (to be implemented; callers rely on it):

    @dataclass(slots=True)
    class MemberRow:            # already validated and normalised values
        name: str
        id_number: str          # normalised 18 characters
        gender: str             # "M" / "F"
        birth_date: date
        phone: str              # "" or normalised 11-digit mobile
        ethnicity: str
        education: str
        enterprise_id: int | None
        employer_name: str
        org_unit_id: int
        unit_path: str
        join_date: date
        is_migrant: bool
        is_new_form: bool
        recruited_by_id: int | None = None
        status: str = "active"
        status_date: date | None = None

    def insert_members(rows: list[MemberRow], *, dims: dict[int, tuple[str, str, str]]) -> list[int]
        Inside the caller's transaction: allocate ids, card numbers (models.card_number), encrypt
        id_number/phone, compute blind indexes, insert with executemany (SQLite) or COPY
        (PostgreSQL), bulk-insert the name search tokens, apply the coverage delta (dims: the
        ownership/industry/region of each enterprise id used). Returns the new ids.

    def insert_enterprises(rows: list[EnterpriseRow]) -> list[int]   (same idea)
"""
