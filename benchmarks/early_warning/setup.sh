#!/bin/sh
# Install what the early-warning benchmark needs (NOT the main test suite):
# R with the `surveillance` package from Debian, and rpy2 into the project's venv.
# Run from the repository root:  sh benchmarks/early_warning/setup.sh
set -eu
if ! Rscript -e 'library(surveillance)' >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends r-base-core r-cran-surveillance
fi
# rpy2 3.6 fails against R 4.2.2 ("undefined symbol R_getVar"); 3.5.17 works.
.venv/bin/pip install "rpy2==3.5.17"
Rscript -e 'cat("surveillance", as.character(packageVersion("surveillance")), "\n")'
