"""Reports for people: the year-end archive as XLSX and PDF, the ranking as XLSX, the PDF
typesetter they share, and the Chinese and English labels of the process's words. Pure
functions of the read side's data: no web framework, no database."""
