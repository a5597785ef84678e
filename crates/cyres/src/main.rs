//! The cyres command line.

fn main() {
    println!("cyres");
}
