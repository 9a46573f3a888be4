"""The role keys of the SOP catalog and which of them are staffed inside the LPSE office."""

from typing import Final

#: Roles held by people who work in the office and act on tickets from the staff group.
OFFICE_ROLES: Final = frozenset(
    {"helpdesk", "sekretaris", "kepala", "pengarah", "verifikator", "piket", "admin_agency", "staf"}
)

#: Parties outside the office: requesters and partner agencies reached by e-mail.
OUTSIDE_ROLES: Final = frozenset({"penyedia", "ulp", "ppk", "skpd", "lkpp"})

ALL_ROLES: Final = OFFICE_ROLES | OUTSIDE_ROLES

#: Supervisors may take over and close any ticket; a breach notice also goes to them.
SUPERVISOR_ROLES: Final = frozenset({"sekretaris", "kepala"})

#: Role that receives whatever no FAQ entry or SOP routes elsewhere.
DEFAULT_ROLE: Final = "helpdesk"
