"""The GraphQL enums of the contract, made from the shared Python enums."""

from __future__ import annotations

import strawberry

from hub import enums

OfficeLevel = strawberry.enum(enums.OfficeLevel)
Region = strawberry.enum(enums.Region)
FundingZone = strawberry.enum(enums.FundingZone)
KeyAssistance = strawberry.enum(enums.KeyAssistance)
CountyStatus = strawberry.enum(enums.CountyStatus)
UnitLevel = strawberry.enum(enums.UnitLevel)
PostCategory = strawberry.enum(enums.PostCategory)
SpecialProject = strawberry.enum(enums.SpecialProject)
PostStatus = strawberry.enum(enums.PostStatus)
Decision = strawberry.enum(enums.Decision)
Gender = strawberry.enum(enums.Gender)
Degree = strawberry.enum(enums.Degree)
ApplicationStatus = strawberry.enum(enums.ApplicationStatus)
TrainingStatus = strawberry.enum(enums.TrainingStatus)
IncidentSeverity = strawberry.enum(enums.IncidentSeverity)
AssessmentGrade = strawberry.enum(enums.AssessmentGrade)
AssessmentStatus = strawberry.enum(enums.AssessmentStatus)
BenefitKind = strawberry.enum(enums.BenefitKind)
LocalProjectStatus = strawberry.enum(enums.LocalProjectStatus)
InsuranceKind = strawberry.enum(enums.InsuranceKind)
Milestone = strawberry.enum(enums.Milestone)
UserErrorCode = strawberry.enum(enums.UserErrorCode)
