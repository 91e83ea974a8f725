"""The closed vocabularies of the program, shared by storage (as strings) and GraphQL (as enums)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


class OfficeLevel(str, Enum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    COUNTY = "COUNTY"
    SCHOOL = "SCHOOL"
    VOLUNTEER = "VOLUNTEER"


class Region(str, Enum):
    WEST = "WEST"
    CENTRAL = "CENTRAL"
    NORTHEAST = "NORTHEAST"
    EAST = "EAST"


class FundingZone(str, Enum):
    SOUTH_XINJIANG_TIBET = "SOUTH_XINJIANG_TIBET"
    WEST = "WEST"
    CENTRAL = "CENTRAL"
    NONE = "NONE"


class KeyAssistance(str, Enum):
    NATIONAL_KEY = "NATIONAL_KEY"
    LOCAL_KEY = "LOCAL_KEY"
    POVERTY_EXITED = "POVERTY_EXITED"
    NONE = "NONE"


class CountyStatus(str, Enum):
    NOT_SERVICE = "NOT_SERVICE"
    APPLIED = "APPLIED"
    PROVINCE_APPROVED = "PROVINCE_APPROVED"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    DISQUALIFIED = "DISQUALIFIED"


class UnitLevel(str, Enum):
    COUNTY = "COUNTY"
    TOWNSHIP = "TOWNSHIP"
    VILLAGE = "VILLAGE"


class PostCategory(str, Enum):
    RURAL_EDUCATION = "RURAL_EDUCATION"
    RURAL_CONSTRUCTION = "RURAL_CONSTRUCTION"
    RURAL_HEALTH = "RURAL_HEALTH"
    YOUTH_WORK = "YOUTH_WORK"
    RURAL_GOVERNANCE = "RURAL_GOVERNANCE"


class SpecialProject(str, Enum):
    RURAL_EDUCATION = "RURAL_EDUCATION"
    RURAL_CONSTRUCTION = "RURAL_CONSTRUCTION"
    RURAL_HEALTH = "RURAL_HEALTH"
    YOUTH_WORK = "YOUTH_WORK"
    RURAL_GOVERNANCE = "RURAL_GOVERNANCE"
    SERVE_XINJIANG = "SERVE_XINJIANG"
    SERVE_TIBET = "SERVE_TIBET"


class PostStatus(str, Enum):
    DECLARED = "DECLARED"
    PROVINCE_CONFIRMED = "PROVINCE_CONFIRMED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Decision(str, Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


class Gender(str, Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class Degree(str, Enum):
    BACHELOR = "BACHELOR"
    MASTER = "MASTER"
    DOCTOR = "DOCTOR"


class ApplicationStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    SCHOOL_APPROVED = "SCHOOL_APPROVED"
    SCHOOL_REJECTED = "SCHOOL_REJECTED"
    SELECTED = "SELECTED"
    NOT_SELECTED = "NOT_SELECTED"
    EXAM_PASSED = "EXAM_PASSED"
    EXAM_FAILED = "EXAM_FAILED"
    PUBLICIZED = "PUBLICIZED"
    RECRUITED = "RECRUITED"
    TRAINED = "TRAINED"
    DISPATCHED = "DISPATCHED"
    IN_SERVICE = "IN_SERVICE"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"
    TERMINATED = "TERMINATED"


class TrainingStatus(str, Enum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"


class IncidentSeverity(str, Enum):
    MINOR = "MINOR"
    MAJOR = "MAJOR"


class AssessmentGrade(str, Enum):
    EXCELLENT = "EXCELLENT"
    COMPETENT = "COMPETENT"
    BASIC = "BASIC"
    INCOMPETENT = "INCOMPETENT"


class AssessmentStatus(str, Enum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"


class BenefitKind(str, Enum):
    POSTGRAD_EXAM_BONUS = "POSTGRAD_EXAM_BONUS"
    FRESH_GRADUATE_STATUS = "FRESH_GRADUATE_STATUS"
    TUITION_COMPENSATION = "TUITION_COMPENSATION"
    WORK_SENIORITY = "WORK_SENIORITY"
    TITLE_EVALUATION = "TITLE_EVALUATION"


class LocalProjectStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class InsuranceKind(str, Enum):
    MAJOR_ILLNESS = "MAJOR_ILLNESS"
    ACCIDENT = "ACCIDENT"


class Milestone(str, Enum):
    """R7: the dated steps of a program year."""

    REGISTRATION_CLOSES = "REGISTRATION_CLOSES"
    SCHOOL_SIGN_OFF_CLOSES = "SCHOOL_SIGN_OFF_CLOSES"
    SELECTION_COMPLETES = "SELECTION_COMPLETES"
    PHYSICAL_EXAMS_COMPLETE = "PHYSICAL_EXAMS_COMPLETE"
    RECRUITMENT_AGREEMENTS_SIGNED = "RECRUITMENT_AGREEMENTS_SIGNED"
    TRAINING_ARRANGED = "TRAINING_ARRANGED"
    SERVICE_AGREEMENTS_SIGNED = "SERVICE_AGREEMENTS_SIGNED"


class UserErrorCode(str, Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    INVALID_STATE = "INVALID_STATE"
    INELIGIBLE = "INELIGIBLE"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    QUOTA_ADJUSTMENT_LIMIT = "QUOTA_ADJUSTMENT_LIMIT"
    SCALE_EXCEEDED = "SCALE_EXCEEDED"
    STRUCTURE_VIOLATION = "STRUCTURE_VIOLATION"
    POST_FULL = "POST_FULL"
    CROSS_PROVINCE = "CROSS_PROVINCE"
    EXCELLENT_CAP = "EXCELLENT_CAP"
    BANNED = "BANNED"


# An application stops being "active" (R20: one active application per volunteer per year) only when withdrawn.
INACTIVE_APPLICATION_STATUSES = frozenset({ApplicationStatus.WITHDRAWN})


# The labels people read (R13, the plan's own words), defined once next to the enums; shown in Chinese by
# default and, in English (hub.i18n), as the member's name in words. Grouped by enum: members of two enums
# with one value (PostStatus.APPROVED, TrainingStatus.APPROVED) are equal strings, yet each has its own label.
LABELS: dict[type[Enum], dict[Enum, str]] = {
    KeyAssistance: {
        KeyAssistance.NATIONAL_KEY: "国家乡村振兴重点帮扶县",
        KeyAssistance.LOCAL_KEY: "当地乡村振兴重点帮扶县",
        KeyAssistance.POVERTY_EXITED: "脱贫县",
        KeyAssistance.NONE: "无",
    },
    CountyStatus: {
        CountyStatus.NOT_SERVICE: "非服务县",
        CountyStatus.APPLIED: "已申请新增服务县",
        CountyStatus.PROVINCE_APPROVED: "省级已审核",
        CountyStatus.ACTIVE: "服务县",
        CountyStatus.REJECTED: "未通过",
        CountyStatus.DISQUALIFIED: "已取消服务县资格",
    },
    PostCategory: {
        PostCategory.RURAL_EDUCATION: "乡村教育",
        PostCategory.RURAL_CONSTRUCTION: "服务乡村建设",
        PostCategory.RURAL_HEALTH: "健康乡村",
        PostCategory.YOUTH_WORK: "基层青年工作",
        PostCategory.RURAL_GOVERNANCE: "乡村社会治理",
    },
    Degree: {Degree.BACHELOR: "本科", Degree.MASTER: "硕士研究生", Degree.DOCTOR: "博士研究生"},
    Gender: {Gender.MALE: "男", Gender.FEMALE: "女"},
    Decision: {Decision.APPROVE: "同意", Decision.REJECT: "不同意"},
    ApplicationStatus: {
        ApplicationStatus.SUBMITTED: "已报名",
        ApplicationStatus.SCHOOL_APPROVED: "学校审核通过",
        ApplicationStatus.SCHOOL_REJECTED: "学校审核未通过",
        ApplicationStatus.SELECTED: "已选拔",
        ApplicationStatus.NOT_SELECTED: "未选拔",
        ApplicationStatus.EXAM_PASSED: "体检合格",
        ApplicationStatus.EXAM_FAILED: "体检不合格",
        ApplicationStatus.PUBLICIZED: "已公示",
        ApplicationStatus.RECRUITED: "已录取",
        ApplicationStatus.TRAINED: "已培训",
        ApplicationStatus.DISPATCHED: "已派遣",
        ApplicationStatus.IN_SERVICE: "在岗服务",
        ApplicationStatus.COMPLETED: "服务期满",
        ApplicationStatus.WITHDRAWN: "已退出",
        ApplicationStatus.TERMINATED: "已解除协议",
    },
    UnitLevel: {UnitLevel.COUNTY: "县级", UnitLevel.TOWNSHIP: "乡镇", UnitLevel.VILLAGE: "村"},
    PostStatus: {
        PostStatus.DECLARED: "已申报",
        PostStatus.PROVINCE_CONFIRMED: "省级已确认",
        PostStatus.APPROVED: "已批准",
        PostStatus.REJECTED: "未批准",
    },
    TrainingStatus: {TrainingStatus.PROPOSED: "待批准", TrainingStatus.APPROVED: "已批准"},
    AssessmentGrade: {
        AssessmentGrade.EXCELLENT: "优秀",
        AssessmentGrade.COMPETENT: "称职",
        AssessmentGrade.BASIC: "基本称职",
        AssessmentGrade.INCOMPETENT: "不称职",
    },
    AssessmentStatus: {AssessmentStatus.PROPOSED: "待审定", AssessmentStatus.APPROVED: "已审定"},
    LocalProjectStatus: {
        LocalProjectStatus.SUBMITTED: "已提交",
        LocalProjectStatus.APPROVED: "已批准",
        LocalProjectStatus.REJECTED: "未批准",
    },
    InsuranceKind: {InsuranceKind.MAJOR_ILLNESS: "重大疾病保险", InsuranceKind.ACCIDENT: "意外伤害保险"},
    Milestone: {
        Milestone.REGISTRATION_CLOSES: "报名截止",
        Milestone.SCHOOL_SIGN_OFF_CLOSES: "高校审核截止",
        Milestone.SELECTION_COMPLETES: "选拔完成",
        Milestone.PHYSICAL_EXAMS_COMPLETE: "体检完成",
        Milestone.RECRUITMENT_AGREEMENTS_SIGNED: "招募协议签订",
        Milestone.TRAINING_ARRANGED: "培训安排",
        Milestone.SERVICE_AGREEMENTS_SIGNED: "服务协议签订",
    },
}


def label(member: Enum, language: str | None = None) -> str:
    """How a person reads `member`: its Chinese label, or in English its name in words (IN_SERVICE → In service)."""
    if language is None:
        from hub.i18n import language as current

        language = current()
    chinese = LABELS.get(type(member), {}).get(member)
    if language == "zh" and chinese:
        return chinese
    return member.name.replace("_", " ").capitalize()


def labelled(kind: type[E], value: E | str) -> str:
    """The label of `value` of `kind`, given as a member or as its stored string (a row's `status`)."""
    return label(kind(value))


def labels(kind: type[Enum]) -> dict[Enum, str]:
    """The Chinese labels of every member of `kind` (the values an office's file may use)."""
    return dict(LABELS.get(kind, {}))
