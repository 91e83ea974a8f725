"""GraphQL documents of the in-service mutations (R28–R41), shared by their tests."""

from __future__ import annotations

ERRORS = "userErrors { code message field }"
FILE_REPORT = f"""mutation($input: FileMonthlyReportInput!) {{ fileMonthlyReport(input: $input) {{
  report {{ id month inPost absent incidents {{ severity occurredOn description volunteer {{ name }} }} }}
  {ERRORS} }} }}"""
PROPOSE = f"""mutation($input: ProposeAssessmentInput!) {{ proposeAssessment(input: $input) {{
  assessment {{ id year grade status }} {ERRORS} }} }}"""
APPROVE_ASSESSMENTS = f"""mutation($input: ApproveAssessmentsInput!) {{ approveAssessments(input: $input) {{
  assessments {{ id grade status }} {ERRORS} }} }}"""
INSURE = f"""mutation($input: RecordInsuranceInput!) {{ recordInsurance(input: $input) {{
  volunteer {{ id insurance {{ kind policyNumber validFrom validUntil }} }} {ERRORS} }} }}"""
COMPLETE = f"""mutation($input: CompleteServiceInput!) {{ completeService(input: $input) {{
  volunteer {{ id certificateNumber }} {ERRORS} }} }}"""
SET_ALLOWANCE = f"""mutation($input: SetAllowanceStandardInput!) {{ setAllowanceStandard(input: $input) {{
  standard {{ year province {{ code }} county {{ code }} monthlyAllowance hardshipAllowance }} {ERRORS} }} }}"""
SUBMIT_PROJECT = f"""mutation($input: SubmitLocalProjectInput!) {{ submitLocalProject(input: $input) {{
  localProject {{ id name scale budget status province {{ code }} }} {ERRORS} }} }}"""
DECIDE_PROJECT = f"""mutation($input: LocalProjectDecisionInput!) {{ decideLocalProject(input: $input) {{
  localProject {{ id status }} {ERRORS} }} }}"""
FUNDING = """query($year: String!, $province: String) { fundingReport(year: $year, provinceCode: $province) {
  year province { code } inPost byZone { zone volunteerMonths centralSubsidy } centralSubsidy localAllowance
  uninsured } }"""
