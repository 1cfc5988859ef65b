"""Awards: issuing, input rows, batches and their jobs, CSV import, history, expiry."""
