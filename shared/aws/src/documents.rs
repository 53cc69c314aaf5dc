//! Invoice and credit-note PDFs in S3 (`DOCUMENTS_BUCKET`), read through presigned GET
//! links: the bucket is private, and a link names one object for a few minutes.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use crate::context::AppContext;
use app::ports::invoices::DocumentFiles;
use app::ports::store::StoreError;

#[derive(Clone)]
pub struct S3Documents {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Documents {
    pub fn from_context(ctx: &AppContext) -> Self {
        Self {
            client: ctx.s3().clone(),
            bucket: ctx.config().documents_bucket.clone().unwrap_or_default(),
        }
    }
}

fn failed<E>(e: aws_sdk_s3::error::SdkError<E>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    StoreError::Unavailable(Box::new(e))
}

impl DocumentFiles for S3Documents {
    async fn has_file(&self, key: &str) -> Result<bool, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(failed(e)),
        }
    }

    async fn put_pdf(&self, key: &str, pdf: Vec<u8>) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/pdf")
            .content_disposition("inline")
            .body(ByteStream::from(pdf))
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn signed_link(&self, key: &str, valid_for: Duration) -> Result<String, StoreError> {
        let config =
            PresigningConfig::expires_in(valid_for).map_err(|e| StoreError::Other(Box::new(e)))?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(failed)?;
        Ok(req.uri().to_string())
    }
}
