"""Records: learner records (CLR), transcripts, OB 2.0 forms, platform exports."""
