"""Every state change of admissions and enrolment, one function each, transactional."""
