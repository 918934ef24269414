# The store both slots share so that one TradingView alert executes once,
# whichever slot receives it and however often it restarts (see
# src/service/README.md "Identity and claims"). Each slot's own artifact bucket
# cannot serve: it is private to that slot and goes away with it. One small
# bucket per deployment, outside module.slot so it outlives every slot; each
# slot's user may only GET and PUT (conditionally) under "<app>/" in it
# (modules/slot/claims.tf).
resource "aws_s3_bucket" "claims" {
  bucket_prefix = "${var.app}-claim-" # <= 37 chars with app's 30-char limit
  force_destroy = true                # claims matter for minutes (XECUTOR_MAX_ALERT_AGE), totals for a day
  tags          = { app = var.app, purpose = "execution-claims" }
}

resource "aws_s3_bucket_public_access_block" "claims" {
  bucket                  = aws_s3_bucket.claims.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
