"""Reports for people: the year-end archive as XLSX and PDF, the ranking as XLSX, a branch's
posted result list (公示表) as PDF, the period's progress at a glance as XLSX, the PDF
typesetter and the reproducible file writers they share, and the Chinese and English labels
of the process's words. Pure functions of the read side's data: no web framework, no
database."""
