"""Data exchange with project offices' spreadsheets and paper: Excel/CSV imports that run the very mutations
of the schema, streamed xlsx exports under the read scopes and R2a masking, and printable PDFs."""
