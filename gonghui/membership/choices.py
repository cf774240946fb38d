"""Choices of the membership line: enterprises, members, applications, transfers, drives."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Ownership(models.TextChoices):
    """Ownership of an employer (所有制/登记注册类型), as union statistics group it."""

    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    FOREIGN = "foreign", _("Foreign-invested")
    HMT = "hmt", _("Hong Kong, Macau or Taiwan invested")
    INDIVIDUAL = "individual", _("Individual business")
    SOCIAL = "social", _("Social organisation")
    PUBLIC_INSTITUTION = "public", _("Government agency or public institution")


# 非公有制经济: the enterprises the union's organising work is aimed at first.
NON_PUBLIC = frozenset({Ownership.PRIVATE, Ownership.FOREIGN, Ownership.HMT, Ownership.INDIVIDUAL})


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 (国民经济行业分类)."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("On the roll")
    TRANSFERRED_OUT = "transferred", _("Transferred out")
    LEFT = "left", _("Left the union")
    DECEASED = "deceased", _("Deceased")


# A member who is not on the roll any more; coverage counts them as leaves in the month they left.
LEFT_STATUSES = frozenset({MemberStatus.TRANSFERRED_OUT, MemberStatus.LEFT, MemberStatus.DECEASED})


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or below")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary or vocational")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class Ethnicity(models.TextChoices):
    """The 56 ethnic groups with their GB/T 3304 codes."""

    HAN = "01", _("Han")
    MONGOL = "02", _("Mongol")
    HUI = "03", _("Hui")
    TIBETAN = "04", _("Tibetan")
    UYGHUR = "05", _("Uyghur")
    MIAO = "06", _("Miao")
    YI = "07", _("Yi")
    ZHUANG = "08", _("Zhuang")
    BUYEI = "09", _("Buyei")
    KOREAN = "10", _("Korean")
    MANCHU = "11", _("Manchu")
    DONG = "12", _("Dong")
    YAO = "13", _("Yao")
    BAI = "14", _("Bai")
    TUJIA = "15", _("Tujia")
    HANI = "16", _("Hani")
    KAZAKH = "17", _("Kazakh")
    DAI = "18", _("Dai")
    LI = "19", _("Li")
    LISU = "20", _("Lisu")
    VA = "21", _("Va")
    SHE = "22", _("She")
    GAOSHAN = "23", _("Gaoshan")
    LAHU = "24", _("Lahu")
    SUI = "25", _("Sui")
    DONGXIANG = "26", _("Dongxiang")
    NAXI = "27", _("Naxi")
    JINGPO = "28", _("Jingpo")
    KYRGYZ = "29", _("Kyrgyz")
    TU = "30", _("Tu")
    DAUR = "31", _("Daur")
    MULAO = "32", _("Mulao")
    QIANG = "33", _("Qiang")
    BLANG = "34", _("Blang")
    SALAR = "35", _("Salar")
    MAONAN = "36", _("Maonan")
    GELAO = "37", _("Gelao")
    XIBE = "38", _("Xibe")
    ACHANG = "39", _("Achang")
    PUMI = "40", _("Pumi")
    TAJIK = "41", _("Tajik")
    NU = "42", _("Nu")
    UZBEK = "43", _("Uzbek")
    RUSSIAN = "44", _("Russian")
    EVENKI = "45", _("Evenki")
    DEANG = "46", _("De'ang")
    BONAN = "47", _("Bonan")
    YUGUR = "48", _("Yugur")
    GIN = "49", _("Gin")
    TATAR = "50", _("Tatar")
    DERUNG = "51", _("Derung")
    OROQEN = "52", _("Oroqen")
    HEZHEN = "53", _("Hezhen")
    MONBA = "54", _("Monba")
    LHOBA = "55", _("Lhoba")
    JINO = "56", _("Jino")


class MemberEventKind(models.TextChoices):
    JOINED = "joined", pgettext_lazy("member event", "Joined")
    UPDATED = "updated", _("Details changed")
    TRANSFERRED = "transferred", _("Transferred")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out of the system")
    LEFT = "left", _("Left the union")
    DECEASED = "deceased", _("Deceased")
    REJOINED = "rejoined", _("Rejoined")
    IMPORTED = "imported", _("Imported")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FORWARDED = "forwarded", _("Forwarded")  # kept on the old unit's row; the new row is pending


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    AUTO_ACCEPTED = "auto_accepted", _("Accepted (no answer in time)")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", pgettext_lazy("transfer", "Cancelled")


class TransferSide(models.TextChoices):
    SENDING = "sending", _("Sending unit")
    RECEIVING = "receiving", _("Receiving unit")


class DriveStage(models.TextChoices):
    NOT_CONTACTED = "not_contacted", _("Not contacted")
    VISITED = "visited", _("Visited")
    PREPARING = "preparing", _("Preparing to found a union")
    UNIONISED = "unionised", _("Union founded")
    DEFERRED = "deferred", _("Deferred")


# 工会法: an enterprise with 25 or more members may set up a union committee.
UNION_COMMITTEE_THRESHOLD = 25
