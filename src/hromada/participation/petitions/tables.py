"""Petitions and their signatures.

No counter column on the petition: a signature is one insert into ``petition_signature``
(unique per petition and resident), and counts are read from that table (see
``service.counts``), so concurrent signers never contend for one row.
"""

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from hromada.auth.tables import Resident
from hromada.open_data.registries.tables import District


class Petition(Table, tablename="petition"):
    id = Serial(primary_key=True)
    title = Varchar(length=200)
    text = Text()
    addressee = Varchar(length=200)
    author = ForeignKey(references=Resident, index=True)
    district = ForeignKey(references=District, null=True, default=None)
    # draft → (cosponsoring →) moderation → open → answered, or rejected. "Under
    # consideration" and "closed" follow from the clock and the count (rules.state).
    status = Varchar(length=16, index=True)
    # Its type (HROMADA_PETITION_TYPES); the type's threshold and co-sponsors are copied
    # at creation, so a later change of the settings never moves a running petition.
    kind = Varchar(length=32, default="city")
    threshold = Integer()
    cosponsors = Integer(default=0)
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)
    moderation_due = Timestamptz(null=True, default=None)
    opened_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    rejection_code = Varchar(length=32, null=True, default=None)
    rejection_note = Text(null=True, default=None)
    answer_kind = Varchar(length=16, null=True, default=None)
    answer_text = Text(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)


class PetitionSignature(Table, tablename="petition_signature"):
    id = Serial(primary_key=True)
    petition = ForeignKey(references=Petition, index=True)
    resident = ForeignKey(references=Resident, index=True)
    district_code = Varchar(length=64, null=True, default=None)
    signed_at = Timestamptz()


class PetitionNotice(Table, tablename="petition_notice"):
    """One e-mail owed to one resident about one petition: unique per (petition, resident,
    event), so a state change, a retried job or a re-run fan-out never owes it twice.
    ``outcome`` is set once: sent, or skipped (the resident turned e-mail off)."""

    id = Serial(primary_key=True)
    petition = ForeignKey(references=Petition, index=True)
    resident = ForeignKey(references=Resident)
    event = Varchar(length=32)
    created_at = Timestamptz()
    done_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)
