# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the shell tests that need the shared test data (see
# lk-test-data.h): without the folder the test is skipped (exit 77) with one
# message naming it. Sets $data to the folder.

lk_require_testdata() {
  if [ -z "${LK_TESTDATA_DIR:-}" ]; then
    echo "SKIP: LK_TESTDATA_DIR is not set (tests/meson.build sets it to ../shared/testdata beside the checkout)"
    exit 77
  fi
  if [ ! -d "$LK_TESTDATA_DIR" ]; then
    echo "SKIP: the test data folder $LK_TESTDATA_DIR is missing (see 'Tests and test data' in the README; meson setup -Dshared_dir=DIR points the tests at another copy)"
    exit 77
  fi
  data=$LK_TESTDATA_DIR
}
