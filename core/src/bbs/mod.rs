//! BBS signatures (IRTF CFRG draft "The BBS Signature Scheme").
