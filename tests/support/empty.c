/* keeps sr_testsupport non-empty */ int sr_testsupport_empty_unit;
