# The slot's access to the shared claims bucket (terraform/claims.tf): the
# service takes a claim with a conditional PUT (If-None-Match: *) and keeps the
# day's notional with GET + conditional PUT (If-Match). Nothing else: no
# delete, no other prefix. s3:ListBucket (limited to the prefix) is there only
# so that S3 answers a missing key with 404 rather than 403: without it the
# day's first ledger read would look like an outage and refuse every trade.
locals {
  claims_bucket_arn = "arn:aws:s3:::${var.claims_bucket}"
  claims_prefix     = "${var.app}/"

  # The service's env: where the store is and the keys of this slot's user.
  claims_env = {
    XECUTOR_CLAIM_STORE   = "s3://${var.claims_bucket}/${local.claims_prefix}"
    XECUTOR_S3_REGION     = var.region
    AWS_ACCESS_KEY_ID     = aws_iam_access_key.reader.id
    AWS_SECRET_ACCESS_KEY = aws_iam_access_key.reader.secret
  }
}

resource "aws_iam_user_policy" "claims" {
  name = "claims-get-put"
  user = aws_iam_user.reader.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${local.claims_bucket_arn}/${local.claims_prefix}*"]
      },
      {
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.claims_bucket_arn]
        Condition = { StringLike = { "s3:prefix" = ["${local.claims_prefix}*"] } }
      },
    ]
  })
}
