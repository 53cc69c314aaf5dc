//! `Notifier` on Amazon SES (email) and SNS (SMS, [`crate::sms`]). Addresses and numbers
//! are never logged.

use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, RawMessage};
use aws_smithy_types::error::display::DisplayErrorContext;

use app::ports::notifications::{Attachment, ChannelError, Notifier, SmsSender};

use crate::sms::SnsSms;

#[derive(Clone)]
pub struct AwsNotifier {
    ses: aws_sdk_sesv2::Client,
    sms: SnsSms,
    from: String,
}

impl AwsNotifier {
    pub fn from_context(ctx: &crate::AppContext) -> Self {
        Self {
            ses: ctx.ses().clone(),
            sms: SnsSms::from_context(ctx),
            from: ctx.config().notify_from.clone(),
        }
    }
}

fn content(text: &str) -> Result<Content, ChannelError> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| ChannelError(e.to_string()))
}

impl Notifier for AwsNotifier {
    async fn send_email(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        attachments: &[Attachment],
    ) -> Result<(), ChannelError> {
        let content = match attachments {
            // SES's simple content has no attachments: the whole MIME message, then.
            [_, ..] => {
                let raw = raw_message(&self.from, to, subject, text, attachments);
                let message = RawMessage::builder()
                    .data(Blob::new(raw.into_bytes()))
                    .build()
                    .map_err(|e| ChannelError(e.to_string()))?;
                EmailContent::builder().raw(message).build()
            }
            [] => {
                let message = Message::builder()
                    .subject(content(subject)?)
                    .body(Body::builder().text(content(text)?).build())
                    .build();
                EmailContent::builder().simple(message).build()
            }
        };
        self.ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(content)
            .send()
            .await
            .map_err(|e| ChannelError(DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

/// A header value on one line: a CR or LF in it would start another header.
fn one_line(s: &str) -> String {
    s.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// Base64 in lines of 76 (RFC 2045).
fn base64_lines(data: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A multipart/mixed message: the text, then each attachment (RFC 2045/2046/2047).
fn raw_message(from: &str, to: &str, subject: &str, text: &str, files: &[Attachment]) -> String {
    use base64::Engine;
    let boundary = format!("=_coworking_{}", uuid::Uuid::new_v4().simple());
    let subject = base64::engine::general_purpose::STANDARD.encode(one_line(subject));
    let mut raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{subject}?=\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n",
        from = one_line(from),
        to = one_line(to),
        body = base64_lines(text.as_bytes()),
    );
    for file in files {
        let name = one_line(&file.filename).replace('"', "");
        raw.push_str(&format!(
            "--{boundary}\r\nContent-Type: {kind}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n",
            kind = one_line(&file.content_type),
            data = base64_lines(&file.data),
        ));
    }
    raw.push_str(&format!("--{boundary}--\r\n"));
    raw
}

impl SmsSender for AwsNotifier {
    async fn send_sms(&self, phone: &str, text: &str) -> Result<(), ChannelError> {
        self.sms.send_sms(phone, text).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn decoded(part: &str) -> Vec<u8> {
        let b64: String = part
            .split("\r\n\r\n")
            .nth(1)
            .unwrap()
            .split("\r\n--")
            .next()
            .unwrap()
            .replace("\r\n", "");
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
    }

    #[test]
    fn a_message_with_an_attachment_is_multipart_with_both_parts_intact() {
        let ics =
            "BEGIN:VCALENDAR\r\nX-LONG:".to_string() + &"ü".repeat(100) + "\r\nEND:VCALENDAR\r\n";
        let file = Attachment {
            filename: "booking.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
            data: ics.clone().into_bytes(),
        };
        let pdf = Attachment {
            filename: "INV-000001.pdf".into(),
            content_type: "application/pdf".into(),
            data: b"%PDF-1.7 \x00\xff binary".to_vec(),
        };
        let raw = raw_message(
            "noreply@x.test",
            "m@x.test",
            "Booking confirmed\r\nBcc: evil@x.test",
            "Room A is yours.",
            &[file, pdf.clone()],
        );
        assert!(!raw.contains("\nBcc:"), "a header cannot be injected");
        let boundary = raw
            .split("boundary=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let parts: Vec<&str> = raw.split(&format!("--{boundary}")).collect();
        assert_eq!(parts.len(), 5, "{raw}"); // headers, text, two attachments, closing
        assert!(parts[1].contains("Content-Type: text/plain; charset=UTF-8"));
        assert_eq!(decoded(parts[1]), b"Room A is yours.");
        assert!(parts[2].contains(
            "Content-Type: text/calendar; charset=utf-8; method=PUBLISH; name=\"booking.ics\""
        ));
        assert!(parts[2].contains("Content-Disposition: attachment; filename=\"booking.ics\""));
        assert_eq!(decoded(parts[2]), ics.as_bytes());
        assert!(parts[3].contains("Content-Type: application/pdf; name=\"INV-000001.pdf\""));
        assert_eq!(decoded(parts[3]), pdf.data, "binary data intact");
        assert!(parts[4].starts_with("--\r\n"));
        assert!(raw.lines().all(|l| l.len() <= 998), "RFC 5322 line limit");
        let subject = raw.lines().find(|l| l.starts_with("Subject: ")).unwrap();
        let b64 = subject
            .trim_start_matches("Subject: =?UTF-8?B?")
            .trim_end_matches("?=");
        let subject = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(subject, "Booking confirmedBcc: evil@x.test");
    }
}
