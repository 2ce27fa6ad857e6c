"""The demo mine of seed 000 (188 zones, their branches, groups, members and users) and a
year of appraisals through every state, loaded by `appraisal demo` into the configured
store; the data are also the synthetic history's (bench/)."""
