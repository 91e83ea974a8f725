"""xibu-hub: the GraphQL hub of the College Students Volunteer Service Western Program (大学生志愿服务西部计划)."""

__version__ = "0.1.0"
